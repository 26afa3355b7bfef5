module example.com/go-b-env-config

go 1.22
