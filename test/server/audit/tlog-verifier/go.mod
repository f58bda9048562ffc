module factory-console.test/tlog-verifier

go 1.19

require golang.org/x/mod v0.7.0

// Debian's golang-golang-x-mod-dev: built offline, no module proxy.
replace golang.org/x/mod => /usr/share/gocode/src/golang.org/x/mod
