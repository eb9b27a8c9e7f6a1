package codec

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	lua "github.com/yuin/gopher-lua"
)

// The PHP comparisons feed generated inputs, hex-encoded one case a line,
// to one php process, which prints a line per result; the same inputs go
// through the Lua functions, and the two outputs must be equal line for
// line. CODEC_SEED replays a run, CODEC_CASES sets how many cases a test
// generates.

// runPHP runs script (PHP code without "<?php", from a file: generated
// scripts pass the 128 KiB limit of one command-line argument) with input
// on stdin and returns what it printed on stdout.
func runPHP(t *testing.T, script, input string) string {
	t.Helper()
	php := testprog.Need(t, "php", "php-cli")
	file := filepath.Join(t.TempDir(), "compare.php")
	if err := os.WriteFile(file, []byte("<?php\n"+script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(php, "-d", "display_errors=stderr", "-d", "error_reporting=E_ALL & ~E_WARNING", file)
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("php: %v\n%s", err, stderr.String())
	}
	return stdout.String()
}

// seeded returns the test's random source and case count, logging how to
// replay the run.
func seeded(t *testing.T, defaultCases int64) (*rand.Rand, int) {
	t.Helper()
	seed := testprog.EnvInt(t, "CODEC_SEED", time.Now().UnixNano())
	n := int(testprog.EnvInt(t, "CODEC_CASES", defaultCases))
	t.Logf("seed %d, %d cases (replay: CODEC_SEED=%d go test ./internal/codec -run '^%s$')", seed, n, seed, t.Name())
	return rand.New(rand.NewSource(seed)), n
}

// compareLines fails the test for every line where got differs from want
// (PHP's), showing the case's input.
func compareLines(t *testing.T, inputs []string, want, got string) {
	t.Helper()
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	if len(w) != len(g) {
		t.Fatalf("php printed %d lines, Lua %d", len(w), len(g))
	}
	bad := 0
	for i := range w {
		if w[i] == g[i] {
			continue
		}
		if bad++; bad <= 20 {
			var index int
			fmt.Sscanf(w[i], "%d", &index)
			input := ""
			if index < len(inputs) {
				input = inputs[index]
			}
			t.Errorf("case %s\n  php: %s\n  lua: %s", input, w[i], g[i])
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d results differ", bad, len(w))
	}
}

// randomBytes is a string of n bytes: uniform, or drawn from a few values
// so that runs and repeats occur.
func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	few := r.Intn(2) == 0
	for i := range b {
		if few {
			b[i] = "\x00\x01a\xff\x80="[r.Intn(6)]
		} else {
			b[i] = byte(r.Intn(256))
		}
	}
	return b
}

// randomLength favours short lengths, empty included, and sometimes
// crosses the digests' block sizes.
func randomLength(r *rand.Rand) int {
	switch r.Intn(4) {
	case 0:
		return r.Intn(4)
	case 1:
		return r.Intn(140)
	case 2:
		return 60 + r.Intn(140) // around 64 and 128, the block sizes
	}
	return r.Intn(3000)
}

// call calls the Lua global (or codec table field) name with args and
// returns its results.
func call(t *testing.T, L *lua.LState, name string, args ...lua.LValue) []lua.LValue {
	t.Helper()
	fn := L.GetGlobal(name)
	if fn == lua.LNil {
		fn = L.GetField(L.GetField(L.GetGlobal("package"), "loaded"), "codec").(*lua.LTable).RawGetString(name)
	}
	return callValue(t, L, fn, args...)
}

// callValue calls fn with args and returns its results.
func callValue(t *testing.T, L *lua.LState, fn lua.LValue, args ...lua.LValue) []lua.LValue {
	t.Helper()
	top := L.GetTop()
	if err := L.CallByParam(lua.P{Fn: fn, NRet: lua.MultRet, Protect: true}, args...); err != nil {
		t.Fatalf("%v", err)
	}
	out := make([]lua.LValue, L.GetTop()-top)
	for i := range out {
		out[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return out
}

// phpResult is how both sides print one result: "false" for PHP's false
// (Lua's nil, errstr), else the string's hex or the number.
func phpResult(vs []lua.LValue) string {
	switch v := vs[0].(type) {
	case lua.LString:
		return hex.EncodeToString([]byte(v))
	case lua.LNumber:
		return v.String()
	}
	return "false"
}

const phpDigests = `
$algos = explode(" ", trim(fgets(STDIN)));
$hmacs = explode(" ", trim(fgets(STDIN)));
$i = 0;
while (($line = fgets(STDIN)) !== false) {
	[$data, $key] = array_map("hex2bin", explode(" ", rtrim($line, "\n")));
	echo "$i md5 ", bin2hex(md5($data)), "\n";
	echo "$i md5b ", bin2hex(md5($data, true)), "\n";
	echo "$i sha1 ", bin2hex(sha1($data)), "\n";
	echo "$i sha1b ", bin2hex(sha1($data, true)), "\n";
	echo "$i crc32 ", crc32($data), "\n";
	echo "$i base64 ", bin2hex(base64_encode($data)), "\n";
	echo "$i base64url ", bin2hex(rtrim(strtr(base64_encode($data), "+/", "-_"), "=")), "\n";
	echo "$i base64urlpad ", bin2hex(strtr(base64_encode($data), "+/", "-_")), "\n";
	echo "$i bin2hex ", bin2hex(bin2hex($data)), "\n";
	foreach ($algos as $a) {
		echo "$i $a ", bin2hex(hash($a, $data)), " ", bin2hex(hash($a, $data, true)), "\n";
	}
	foreach ($hmacs as $a) {
		echo "$i hmac-$a ", bin2hex(hash_hmac($a, $data, $key)), " ", bin2hex(hash_hmac($a, $data, $key, true)), "\n";
	}
	$i++;
}`

// TestDigestsAgainstPHP compares every digest, hash_hmac, base64 and hex
// encoding of generated binary strings (and keys) with PHP's.
func TestDigestsAgainstPHP(t *testing.T) {
	r, n := seeded(t, 200)
	L := newState(t)
	var algoNames, hmacNames []string
	for _, a := range algos {
		algoNames = append(algoNames, a.name)
		if a.crypto {
			hmacNames = append(hmacNames, a.name)
		}
	}
	var input, got strings.Builder
	input.WriteString(strings.Join(algoNames, " ") + "\n" + strings.Join(hmacNames, " ") + "\n")
	var inputs []string
	for i := 0; i < n; i++ {
		data, key := randomBytes(r, randomLength(r)), randomBytes(r, r.Intn(200))
		line := hex.EncodeToString(data) + " " + hex.EncodeToString(key)
		inputs = append(inputs, line)
		input.WriteString(line + "\n")
		d, k := lua.LString(data), lua.LString(key)
		res := func(name string, args ...lua.LValue) string { return phpResult(call(t, L, name, args...)) }
		fmt.Fprintf(&got, "%d md5 %s\n", i, res("md5", d))
		fmt.Fprintf(&got, "%d md5b %s\n", i, res("md5", d, lua.LTrue))
		fmt.Fprintf(&got, "%d sha1 %s\n", i, res("sha1", d))
		fmt.Fprintf(&got, "%d sha1b %s\n", i, res("sha1", d, lua.LTrue))
		fmt.Fprintf(&got, "%d crc32 %s\n", i, res("crc32", d))
		fmt.Fprintf(&got, "%d base64 %s\n", i, res("base64_encode", d))
		fmt.Fprintf(&got, "%d base64url %s\n", i, res("base64url_encode", d))
		fmt.Fprintf(&got, "%d base64urlpad %s\n", i, res("base64url_encode", d, lua.LTrue))
		fmt.Fprintf(&got, "%d bin2hex %s\n", i, res("bin2hex", d))
		for _, a := range algoNames {
			fmt.Fprintf(&got, "%d %s %s %s\n", i, a, res("hash", lua.LString(a), d), res("hash", lua.LString(a), d, lua.LTrue))
		}
		for _, a := range hmacNames {
			fmt.Fprintf(&got, "%d hmac-%s %s %s\n", i, a, res("hash_hmac", lua.LString(a), d, k), res("hash_hmac", lua.LString(a), d, k, lua.LTrue))
		}
	}
	compareLines(t, inputs, runPHP(t, phpDigests, input.String()), got.String())
}

const phpDecoders = `
$i = 0;
while (($line = fgets(STDIN)) !== false) {
	$s = hex2bin(rtrim($line, "\n"));
	$url = strtr($s, "-_+/", "+/-_");
	foreach ([false, true] as $strict) {
		$r = base64_decode($s, $strict);
		echo "$i base64 ", $r === false ? "false" : bin2hex($r), "\n";
		$r = base64_decode($url, $strict);
		echo "$i base64url ", $r === false ? "false" : bin2hex($r), "\n";
	}
	$r = hex2bin($s);
	echo "$i hex2bin ", $r === false ? "false" : bin2hex($r), "\n";
	$i++;
}`

// TestDecodersAgainstPHP compares base64_decode (both modes), the URL
// alphabet's decoder (PHP: strtr then base64_decode) and hex2bin on
// generated strings that are mostly, but not always, valid.
func TestDecodersAgainstPHP(t *testing.T) {
	r, n := seeded(t, 3000)
	L := newState(t)
	var input, got strings.Builder
	var inputs []string
	for i := 0; i < n; i++ {
		var s []byte
		if r.Intn(3) == 0 { // hex digits, sometimes broken
			s = []byte(hex.EncodeToString(randomBytes(r, r.Intn(12))))
			if len(s) > 0 && r.Intn(2) == 0 {
				s[r.Intn(len(s))] = "gG x\x00\xff"[r.Intn(6)]
			}
			if r.Intn(4) == 0 {
				s = append(s, "aF0"[r.Intn(3)])
			}
		} else { // base64 digits, padding, whitespace and strays
			const pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"
			for l := r.Intn(24); l > 0; l-- {
				switch k := r.Intn(20); {
				case k < 14:
					s = append(s, pool[r.Intn(len(pool))])
				case k < 16:
					s = append(s, '=')
				case k < 18:
					s = append(s, " \t\r\n\v\f"[r.Intn(6)])
				default:
					s = append(s, byte(r.Intn(256)))
				}
			}
		}
		line := hex.EncodeToString(s)
		inputs = append(inputs, fmt.Sprintf("%q", s))
		input.WriteString(line + "\n")
		str := lua.LString(s)
		for _, strict := range []lua.LValue{lua.LFalse, lua.LTrue} {
			fmt.Fprintf(&got, "%d base64 %s\n", i, phpResult(call(t, L, "base64_decode", str, strict)))
			fmt.Fprintf(&got, "%d base64url %s\n", i, phpResult(call(t, L, "base64url_decode", str, strict)))
		}
		fmt.Fprintf(&got, "%d hex2bin %s\n", i, phpResult(call(t, L, "hex2bin", str)))
	}
	compareLines(t, inputs, runPHP(t, phpDecoders, input.String()), got.String())
}
