// Command sesctl turns Amazon SES event publishing into a queryable lake.
package main

import (
	"os"

	"github.com/sesctl/sesctl/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
