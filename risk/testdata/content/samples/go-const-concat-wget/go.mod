module example.com/go-const-concat-wget

go 1.22
