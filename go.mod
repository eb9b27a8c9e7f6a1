module github.com/luasock/luasock

go 1.26.8

require (
	github.com/yuin/gopher-lua v1.1.1
	golang.org/x/sys v0.38.0
)

require layeh.com/gopher-luar v1.0.11

require golang.org/x/term v0.37.0 // indirect

require (
	github.com/rogpeppe/go-internal v1.14.1
	golang.org/x/tools v0.26.0 // indirect
)
