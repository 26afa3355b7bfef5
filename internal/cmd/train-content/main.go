// Command train-content re-trains risk's package-content model from
// risk/testdata/content and writes the artefact risk embeds and its
// metrics.
//
//	go run ./internal/cmd/train-content [-dir risk/testdata/content] [-out risk/content/models/content-logistic.json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/chaingate/chaingate/internal/contentdata"
	"github.com/chaingate/chaingate/internal/contentmodel"
)

func main() {
	dir := flag.String("dir", contentdata.Dir("."), "directory with samples.json, samples/ and features-real.tsv")
	out := flag.String("out", "risk/content/models/content-logistic.json", "where to write the model artefact")
	metricsOut := flag.String("metrics", "risk/content/models/content-metrics.json", "where to write the metrics")
	flag.Parse()
	res, err := contentmodel.Train(*dir)
	if err == nil {
		err = os.WriteFile(*out, res.Artefact, 0o644)
	}
	if err == nil {
		var mb []byte
		mb, err = json.MarshalIndent(res.Metrics, "", "  ")
		if err == nil {
			err = os.WriteFile(*metricsOut, append(mb, '\n'), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "train-content:", err)
		os.Exit(1)
	}
	names := make([]string, 0, len(res.Metrics))
	for n := range res.Metrics {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("%-12s %s\n", n, res.Metrics[n])
	}
}
