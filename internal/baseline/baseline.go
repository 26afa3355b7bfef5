// Package baseline hands benchmarks the naive implementations that
// chaingate's packages are measured against, without making them part of
// any public API. The package that owns a baseline sets its hook in an
// init function; nothing else may set one.
package baseline

// LinearDB, set by package risk/vulndb, takes a *vulndb.DB and returns
// a *vulndb.DB that finds a package's records by walking every affected
// package of every record instead of using the index (the baseline of
// risk's Scan benchmarks). It is typed with any because vulndb imports
// this package to set it, so this package cannot name vulndb's types.
var LinearDB func(db any) any
