module example.com/go-b-cgo-generate

go 1.22
