module example.com/go-aws-creds-post

go 1.22
