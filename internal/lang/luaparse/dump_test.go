package luaparse

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/luasock/luasock/internal/lang/luanum"

	"github.com/yuin/gopher-lua/ast"
)

// dump writes a tree with every node's type, fields and positions, so
// that two trees compare as text.
func dump(v any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(v), 0)
	return b.String()
}

func dumpValue(b *strings.Builder, v reflect.Value, depth int) {
	ind := strings.Repeat("  ", depth)
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil\n")
			return
		}
		if n, ok := v.Interface().(*ast.NumberExpr); ok {
			f, _ := luanum.Parse(n.Value)
			fmt.Fprintf(b, "NumberExpr@%d-%d %v\n", n.Line(), n.LastLine(), f)
			return
		}
		if ph, ok := v.Interface().(ast.PositionHolder); ok {
			fmt.Fprintf(b, "%s@%d-%d ", v.Elem().Type().Name(), ph.Line(), ph.LastLine())
		}
		dumpValue(b, v.Elem(), depth)
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("[]nil\n")
			return
		}
		fmt.Fprintf(b, "[%d]\n", v.Len())
		for i := 0; i < v.Len(); i++ {
			b.WriteString(ind + "- ")
			dumpValue(b, v.Index(i), depth+1)
		}
	case reflect.Struct:
		b.WriteString("{\n")
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Anonymous || !f.IsExported() {
				continue
			}
			fmt.Fprintf(b, "%s  %s: ", ind, f.Name)
			dumpValue(b, v.Field(i), depth+1)
		}
		b.WriteString(ind + "}\n")
	default:
		if n, ok := v.Interface().(string); ok && v.Type() == reflect.TypeOf("") && depth < 0 {
			fmt.Fprintf(b, "%q\n", n)
			return
		}
		fmt.Fprintf(b, "%#v\n", v.Interface())
	}
}
