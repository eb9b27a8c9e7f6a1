// Command luasock runs Lua scripts written against PHP's stream-socket API.
package main

import "os"

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }
