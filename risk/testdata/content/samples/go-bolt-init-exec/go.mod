module example.com/go-bolt-init-exec

go 1.22
