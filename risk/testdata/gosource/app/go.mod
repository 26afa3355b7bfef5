module example.com/app

go 1.22

require example.com/vulnlib v1.0.0
