package errno

import "golang.org/x/sys/unix"

func init() { aliases["EDEADLOCK"] = unix.EDEADLOCK }
