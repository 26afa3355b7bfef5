// Command train-typosquat re-trains risk's built-in name-confusion model
// from the shared data and writes the artefact risk embeds and a metrics
// summary.
//
//	go run ./internal/cmd/train-typosquat [-data ../shared/data/typosquat] [-out risk/signal/models/typosquat-logistic.json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/chaingate/chaingate/internal/typosquat"
)

func main() {
	data := flag.String("data", typosquat.DataDir("."), "directory with train.jsonl, npm-top.tsv and pypi-top.tsv")
	out := flag.String("out", "risk/signal/models/typosquat-logistic.json", "where to write the model artefact")
	metricsOut := flag.String("metrics", "risk/signal/models/typosquat-metrics.json", "where to write the validation metrics")
	flag.Parse()
	if err := run(*data, *out, *metricsOut); err != nil {
		fmt.Fprintln(os.Stderr, "train-typosquat:", err)
		os.Exit(1)
	}
}

func run(data, out, metricsOut string) error {
	res, err := typosquat.TrainFromDir(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, res.Artefact, 0o644); err != nil {
		return err
	}
	mb, err := json.MarshalIndent(res.Validation, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(metricsOut, append(mb, '\n'), 0o644); err != nil {
		return err
	}
	names := make([]string, 0, len(res.Validation))
	for n := range res.Validation {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("%-24s %s\n", n, res.Validation[n])
	}
	return nil
}
