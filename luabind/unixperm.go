package luabind

import (
	"os/user"
	"strconv"

	"github.com/luasock/luasock/internal/errno"
	lua "github.com/yuin/gopher-lua"
)

// A unix server's socket file: the context options mode, owner and group
// decide who may connect (connect(2) needs write permission on the file).
//
// The file must never accept connections with looser permissions than
// asked, so the order is: bind to a file born closed to everyone but root
// (bindClosed: on Linux an fchmod of the socket to 0 before bind, as the
// file gets the socket inode's mode less the umask; elsewhere a umask of
// 0777 around bind), chown, chmod to the mode asked (chownChmod: on the
// file, checked to be the one bind created), and only then listen. A
// stream socket refuses connections until listen anyway; the closed birth
// covers udg, which receives from bind on.

// fileOwner is what owner and group resolve to: ids, -1 for unchanged.
type fileOwner struct{ uid, gid int }

// parseMode reads the mode option: a number (`tonumber("660", 8)`) or a
// string of octal digits ("0660"), permission bits only.
func parseMode(v lua.LValue, bad func(string, ...any)) uint32 {
	var mode uint64
	var err error
	switch x := v.(type) {
	case lua.LNumber:
		if float64(x) != float64(int64(x)) || x < 0 {
			bad("socket option 'mode' must be permissions from 0 to 0777, got %s", lua.LVAsString(x))
		}
		mode = uint64(x)
	case lua.LString:
		if mode, err = strconv.ParseUint(string(x), 8, 32); err != nil {
			bad("socket option 'mode' must be octal digits such as \"0660\", got %q", string(x))
		}
	default:
		bad("socket option 'mode' must be a number or a string of octal digits, got %s", v.Type())
	}
	if mode > 0o777 {
		bad("socket option 'mode' must be permissions from 0 to 0777, got %s (octal %o)", lua.LVAsString(v), mode)
	}
	return uint32(mode)
}

// parseID reads owner or group: a name, or a numeric id (number or digits).
func parseID(option string, v lua.LValue, bad func(string, ...any)) string {
	switch x := v.(type) {
	case lua.LNumber:
		if float64(x) != float64(int64(x)) || x < 0 {
			bad("socket option '%s' must be a name or an id, got %s", option, lua.LVAsString(x))
		}
		return strconv.FormatInt(int64(x), 10)
	case lua.LString:
		if x == "" {
			bad("socket option '%s' must be a name or an id, got \"\"", option)
		}
		return string(x)
	}
	bad("socket option '%s' must be a string or a number, got %s", option, v.Type())
	return ""
}

// lookupOwner resolves the owner and group options; nil when neither is
// set. All digits is an id, as chown(1) reads one; a name is looked up in
// the user database. A name that is not there fails with errno 0, with
// PHP's chown() text: `Unable to find uid for nosuchuser`.
func lookupOwner(o *socketOptions) (*fileOwner, error) {
	if o.Owner == "" && o.Group == "" {
		return nil, nil
	}
	owner := &fileOwner{uid: -1, gid: -1}
	if o.Owner != "" {
		id, err := lookupID(o.Owner, func(name string) (string, error) {
			u, err := user.Lookup(name)
			if err != nil {
				return "", err
			}
			return u.Uid, nil
		})
		if err != nil {
			return nil, errno.New("Unable to find uid for " + o.Owner)
		}
		owner.uid = id
	}
	if o.Group != "" {
		id, err := lookupID(o.Group, func(name string) (string, error) {
			g, err := user.LookupGroup(name)
			if err != nil {
				return "", err
			}
			return g.Gid, nil
		})
		if err != nil {
			return nil, errno.New("Unable to find gid for " + o.Group)
		}
		owner.gid = id
	}
	return owner, nil
}

func lookupID(nameOrID string, lookup func(string) (string, error)) (int, error) {
	s := nameOrID
	if !allDigits(s) {
		var err error
		if s, err = lookup(nameOrID); err != nil {
			return 0, err
		}
	}
	id, err := strconv.ParseUint(s, 10, 32)
	return int(id), err
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// restrictsFile tells whether a server at addr has a socket file whose
// access the options set: a unix or udg path (an abstract name has no
// file), with mode, owner or group given.
func restrictsFile(addr parsedAddress, o *socketOptions) bool {
	return !addr.IsIP() && addr.Path != "" && addr.Path[0] != 0 && (o.Mode != nil || o.owner != nil)
}

// setFileAccess gives the bound socket file its owner, group and mode
// (chownChmod, per system), once it is sure to be the file bind created.
func setFileAccess(path string, created *socketFile, o *socketOptions) error {
	if created == nil { // gone since bind
		return errReplaced(path)
	}
	return chownChmod(created, o)
}

// errReplaced is the failure of a socket file that another took the place
// of between bind and setFileAccess.
func errReplaced(path string) error {
	return errno.New("The socket file " + path + " was replaced before its permissions were set")
}
