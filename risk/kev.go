package risk

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/chaingate/chaingate/internal/readlimit"
	"io"

	"github.com/chaingate/chaingate/risk/vulndb"
)

// MaxKEVBytes is the size limit of a KEV catalogue (the real one is about
// 1.5 MB).
const MaxKEVBytes = 64 << 20

// ErrInvalidKEV reports a malformed KEV catalogue.
var ErrInvalidKEV = errors.New("risk: invalid KEV catalogue")

// KEV is the CISA Known Exploited Vulnerabilities catalogue. It is
// immutable after ReadKEV and safe for concurrent use.
type KEV struct {
	Version      string
	DateReleased string
	entries      map[string]KEVEntry
}

// KEVEntry is one catalogue entry.
type KEVEntry struct {
	CVE                        string `json:"cveID"`
	VendorProject              string `json:"vendorProject,omitempty"`
	Product                    string `json:"product,omitempty"`
	VulnerabilityName          string `json:"vulnerabilityName,omitempty"`
	DateAdded                  string `json:"dateAdded,omitempty"`
	RequiredAction             string `json:"requiredAction,omitempty"`
	DueDate                    string `json:"dueDate,omitempty"`
	KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse,omitempty"`
}

type kevCatalogue struct {
	Title           string     `json:"title"`
	CatalogVersion  string     `json:"catalogVersion"`
	DateReleased    string     `json:"dateReleased"`
	Count           int        `json:"count"`
	Vulnerabilities []KEVEntry `json:"vulnerabilities"`
}

// ReadKEV reads the CISA KEV JSON catalogue
// (known_exploited_vulnerabilities.json).
func ReadKEV(r io.Reader) (*KEV, error) {
	data, err := readlimit.ReadAll(r, MaxKEVBytes, vulndb.ErrTooLarge)
	if err != nil {
		return nil, fmt.Errorf("risk: read KEV: %w", err)
	}
	var c kevCatalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("risk: read KEV: %w: %v", ErrInvalidKEV, err)
	}
	if c.Vulnerabilities == nil {
		return nil, fmt.Errorf("risk: read KEV: %w: no vulnerabilities array", ErrInvalidKEV)
	}
	k := &KEV{Version: c.CatalogVersion, DateReleased: c.DateReleased, entries: make(map[string]KEVEntry, len(c.Vulnerabilities))}
	for i, v := range c.Vulnerabilities {
		if !isCVE(v.CVE) {
			return nil, fmt.Errorf("risk: read KEV: %w: vulnerabilities[%d]: cveID %q is not a CVE id", ErrInvalidKEV, i, v.CVE)
		}
		k.entries[v.CVE] = v
	}
	return k, nil
}

// Len returns the number of catalogued CVEs.
func (k *KEV) Len() int { return len(k.entries) }

// Lookup returns the catalogue entry of a CVE.
func (k *KEV) Lookup(cve string) (KEVEntry, bool) {
	if k == nil {
		return KEVEntry{}, false
	}
	e, ok := k.entries[cve]
	return e, ok
}
