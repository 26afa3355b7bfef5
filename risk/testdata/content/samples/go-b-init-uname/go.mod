module example.com/go-b-init-uname

go 1.22
