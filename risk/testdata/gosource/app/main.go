// Command app calls some of example.com/vulnlib (see ../README.md).
package main

import (
	"fmt"
	"os"

	"example.com/vulnlib"
	"example.com/vulnlib/notcalled"
)

func main() {
	fmt.Println(run(os.Args[1:]), notcalled.Good())
}

func run(args []string) int {
	n := 0
	for _, a := range args {
		n += vulnlib.Parse(a)
	}
	return n
}
