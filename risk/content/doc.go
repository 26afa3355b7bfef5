// Package content analyses what a package would run: ScanPackageArchive
// reads an npm or PyPI archive, a Go module zip or a Ruby gem, ScanNPMDir
// an unpacked npm package, and each returns a Report of findings (install
// hooks, code that reads secrets and sends them out, downloads and runs
// programs, obfuscation, persistence) with the data flow that connects a
// source to a sink. JavaScript, Python, Go, Ruby and shell are analysed by
// their own front ends, within size and work budgets.
//
// The content model (BuiltinModel, LoadModel; feature schema FeatureSchema,
// one feature per rule) combines a report's findings into Report.Score and
// Malicious; Report.SignalsFor turns a report into signals a scan can take.
//
// What does not live here: the Signal type and its combination
// (risk/signal), the model types it scores with (risk/model), and the scan
// (package risk).
package content
