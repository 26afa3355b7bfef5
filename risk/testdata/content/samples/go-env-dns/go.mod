module example.com/go-env-dns

go 1.22
