package risk

import (
	"context"
	"io"

	"github.com/chaingate/chaingate/risk/content"
	"github.com/chaingate/chaingate/risk/model"
	"github.com/chaingate/chaingate/risk/signal"
	"github.com/chaingate/chaingate/risk/vulndb"
)

// The names in this file keep code written against the single risk
// package compiling: each is an alias or a one-line forwarder to the
// sub-package where the implementation lives.

// DB is a loaded OSV vulnerability database. It lives in package vulndb
// (vulndb.DB); this is an alias.
type DB = vulndb.DB

// Score is a model's explained score. It lives in package model
// (model.Score); this is an alias.
type Score = model.Score

// ContentReport is what ScanPackageArchive finds in a package archive.
// It lives in package content (content.Report); this is an alias.
type ContentReport = content.Report

// LoadOSV loads an OSV database. The implementation lives in package
// vulndb (vulndb.Load).
func LoadOSV(path string, opts ...vulndb.Option) (*DB, error) { return vulndb.Load(path, opts...) }

// ReadIndex reads a compact index written by (*DB).WriteIndex. The
// implementation lives in package vulndb (vulndb.ReadIndex).
func ReadIndex(r io.Reader, opts ...vulndb.Option) (*DB, error) { return vulndb.ReadIndex(r, opts...) }

// TyposquatScore scores how much a package name looks like a typosquat
// of a popular one. The implementation lives in package signal
// (signal.TyposquatScore).
func TyposquatScore(ecosystem, name string) (Score, error) {
	return signal.TyposquatScore(ecosystem, name)
}

// ScanPackageArchive analyses a package archive's content. The
// implementation lives in package content (content.ScanPackageArchive).
func ScanPackageArchive(ctx context.Context, name string, r io.Reader) (*ContentReport, error) {
	return content.ScanPackageArchive(ctx, name, r)
}
