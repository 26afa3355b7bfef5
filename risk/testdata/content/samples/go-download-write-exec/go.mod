module example.com/go-download-write-exec

go 1.22
