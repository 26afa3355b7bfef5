package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"
)

// policyDigestInput writes the same canonical JSON as policyDigest would
// for the converted Input, straight from the struct: the JSON names are
// written in sorted order by hand, so nothing is sorted or walked at run
// time. ctx is the converted Context (walked like any value), or nil.
// TestPrepareInputMatchesJSON and FuzzPrepareInput hold the two in step.
func policyDigestInput(in *Input, ctx ast.Value) string {
	w := policyHasherPool.Get().(*policyHasher)
	w.h.Reset()
	w.buf = w.buf[:0]
	o := w.open()
	o.obj("artifact")
	w.artifact(&in.Artifact)
	if ctx != nil {
		o.key("context")
		w.value(ctx)
	}
	if g := in.GitOps; g != nil {
		o.obj("gitops")
		w.gitops(g)
	}
	if p := in.Provenance; p != nil {
		o.obj("provenance")
		w.provenance(p)
	}
	if r := in.Risk; r != nil {
		o.obj("risk")
		w.risk(r)
	}
	if s := in.SBOM; s != nil {
		o.obj("sbom")
		w.sbom(s)
	}
	o.str("schemaVersion", in.SchemaVersion, false)
	o.str("time", in.Time, true)
	w.close()
	w.flush()
	var sum [sha256.Size]byte
	w.h.Sum(sum[:0])
	policyHasherPool.Put(w)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// policyObjWriter writes one object's members, commas included.
type policyObjWriter struct {
	w     *policyHasher
	first bool
}

func (w *policyHasher) open() policyObjWriter {
	w.buf = append(w.buf, '{')
	return policyObjWriter{w: w, first: true}
}

func (w *policyHasher) close() { w.buf = append(w.buf, '}') }

func (o *policyObjWriter) key(k string) {
	if len(o.w.buf) > 4096 {
		o.w.flush()
	}
	if !o.first {
		o.w.buf = append(o.w.buf, ',')
	}
	o.first = false
	o.w.buf = append(o.w.buf, '"')
	o.w.buf = append(o.w.buf, k...) // keys are plain ASCII names
	o.w.buf = append(o.w.buf, '"', ':')
}

// obj writes a key whose value the caller writes next.
func (o *policyObjWriter) obj(k string) { o.key(k) }

func (o *policyObjWriter) str(k, v string, omitEmpty bool) {
	if omitEmpty && v == "" {
		return
	}
	o.key(k)
	o.w.str(v)
}

func (o *policyObjWriter) int(k string, v int, omitEmpty bool) {
	if omitEmpty && v == 0 {
		return
	}
	o.key(k)
	o.w.buf = strconv.AppendInt(o.w.buf, int64(v), 10)
}

func (o *policyObjWriter) bool(k string, v, omitEmpty bool) {
	if omitEmpty && !v {
		return
	}
	o.key(k)
	o.w.buf = strconv.AppendBool(o.w.buf, v)
}

// num formats like policyConv.num (and so like OPA).
func (o *policyObjWriter) num(k string, v float64) {
	if v == 0 {
		return
	}
	o.key(k)
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		o.w.buf = strconv.AppendInt(o.w.buf, int64(v), 10)
		return
	}
	o.w.buf = strconv.AppendFloat(o.w.buf, v, 'g', -1, 64)
}

func (o *policyObjWriter) strs(k string, v []string) {
	if len(v) == 0 {
		return
	}
	o.key(k)
	o.w.buf = append(o.w.buf, '[')
	for i, s := range v {
		if i > 0 {
			o.w.buf = append(o.w.buf, ',')
		}
		o.w.str(s)
	}
	o.w.buf = append(o.w.buf, ']')
}

func (w *policyHasher) artifact(a *Artifact) {
	o := w.open()
	o.str("digest", a.Digest, true)
	o.str("name", a.Name, false)
	o.str("reference", a.Reference, true)
	o.str("registry", a.Registry, true)
	o.str("repository", a.Repository, true)
	o.str("tag", a.Tag, true)
	o.str("type", a.Type, true)
	w.close()
}

func (w *policyHasher) sbom(s *SBOM) {
	o := w.open()
	o.key("components")
	if s.Components == nil {
		w.buf = append(w.buf, "null"...)
	} else {
		w.buf = append(w.buf, '[')
		for i := range s.Components {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.component(&s.Components[i])
		}
		w.buf = append(w.buf, ']')
	}
	o.str("digest", s.Digest, true)
	o.str("format", s.Format, true)
	o.str("source", s.Source, true)
	o.str("specVersion", s.SpecVersion, true)
	o.obj("summary")
	m := &s.Summary
	so := w.open()
	so.int("components", m.Components, false)
	so.int("dependencies", m.Dependencies, true)
	so.int("devComponents", m.DevComponents, true)
	so.int("direct", m.Direct, true)
	so.int("limitations", m.Limitations, true)
	so.int("unknown", m.Unknown, true)
	so.int("withHash", m.WithHash, false)
	so.int("withLicense", m.WithLicense, false)
	so.int("withPurl", m.WithPURL, false)
	so.int("withVersion", m.WithVersion, false)
	w.close()
	w.close()
}

func (w *policyHasher) component(c *Component) {
	o := w.open()
	o.str("group", c.Group, true)
	if len(c.Hashes) > 0 {
		o.key("hashes")
		w.stringMap(c.Hashes)
	}
	o.str("id", c.ID, false)
	o.str("license", c.License, true)
	o.str("name", c.Name, false)
	o.str("purl", c.PURL, true)
	o.str("scope", c.Scope, true)
	o.str("type", c.Type, true)
	o.str("version", c.Version, true)
	w.close()
}

// stringMap writes a map with its keys sorted (few keys: insertion sort).
func (w *policyHasher) stringMap(m map[string]string) {
	var small [8]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	w.buf = append(w.buf, '{')
	for i, k := range keys {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.str(k)
		w.buf = append(w.buf, ':')
		w.str(m[k])
	}
	w.buf = append(w.buf, '}')
}

func (w *policyHasher) risk(r *Risk) {
	o := w.open()
	o.key("findings")
	if r.Findings == nil {
		w.buf = append(w.buf, "null"...)
	} else {
		w.buf = append(w.buf, '[')
		for i := range r.Findings {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.finding(&r.Findings[i])
		}
		w.buf = append(w.buf, ']')
	}
	if len(r.SignalRisk) > 0 {
		o.key("signalRisk")
		w.buf = append(w.buf, '[')
		for i := range r.SignalRisk {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			sr := &r.SignalRisk[i]
			so := w.open()
			so.strs("evidence", sr.Evidence)
			so.bool("flagged", sr.Flagged, true)
			so.strs("signals", sr.Signals)
			so.str("source", sr.Source, false)
			so.num("value", sr.Value)
			w.close()
		}
		w.buf = append(w.buf, ']')
	}
	if len(r.Signals) > 0 {
		o.key("signals")
		w.buf = append(w.buf, '[')
		for i := range r.Signals {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			sg := &r.Signals[i]
			so := w.open()
			so.strs("evidence", sg.Evidence)
			so.bool("flagged", sg.Flagged, true)
			so.str("id", sg.ID, false)
			so.str("model", sg.Model, true)
			so.str("source", sg.Source, false)
			so.str("target", sg.Target, true)
			so.num("value", sg.Value)
			w.close()
		}
		w.buf = append(w.buf, ']')
	}
	o.obj("summary")
	m := &r.Summary
	so := w.open()
	so.int("critical", m.Critical, false)
	so.int("high", m.High, false)
	so.int("kev", m.KEV, false)
	so.int("low", m.Low, false)
	so.int("medium", m.Medium, false)
	so.int("signals", m.Signals, true)
	so.int("signalsFlagged", m.SignalsFlagged, true)
	so.int("sourcesFlagged", m.SourcesFlagged, true)
	so.int("suppressed", m.Suppressed, false)
	so.int("total", m.Total, false)
	so.int("unassessed", m.Unassessed, true)
	w.close()
	if len(r.Unassessed) > 0 {
		o.key("unassessed")
		w.buf = append(w.buf, '[')
		for i := range r.Unassessed {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.unassessed(&r.Unassessed[i])
		}
		w.buf = append(w.buf, ']')
	}
	w.close()
}

func (w *policyHasher) unassessed(u *Unassessed) {
	o := w.open()
	o.strs("advisories", u.Advisories)
	o.str("component", u.Component, false)
	o.str("ecosystem", u.Ecosystem, true)
	o.str("package", u.Package, true)
	o.str("purl", u.PURL, true)
	o.str("reason", u.Reason, false)
	o.bool("root", u.Root, true)
	o.str("version", u.Version, true)
	w.close()
}

func (w *policyHasher) finding(f *Finding) {
	o := w.open()
	o.strs("aliases", f.Aliases)
	o.str("component", f.Component, true)
	o.num("cvss", f.CVSS)
	o.num("epss", f.EPSS)
	o.str("evidenceLevel", f.EvidenceLevel, true)
	o.str("fixedSince", f.FixedSince, true)
	o.strs("fixedVersions", f.FixedVersions)
	o.str("id", f.ID, false)
	o.bool("kev", f.KEV, true)
	o.str("kind", f.Kind, true)
	o.bool("malicious", f.Malicious, true)
	o.str("package", f.Package, true)
	o.str("priority", f.Priority, true)
	o.str("published", f.Published, true)
	o.str("purl", f.PURL, true)
	o.num("score", f.Score)
	o.str("severity", f.Severity, true)
	o.bool("suppressed", f.Suppressed, true)
	o.strs("symbols", f.Symbols)
	o.str("version", f.Version, true)
	o.str("vexJustification", f.VEXJustification, true)
	o.str("vexStatus", f.VEXStatus, true)
	w.close()
}

func (w *policyHasher) provenance(p *Provenance) {
	o := w.open()
	o.str("buildType", p.BuildType, true)
	o.str("builderId", p.BuilderID, true)
	o.strs("errors", p.Errors)
	o.str("predicateType", p.PredicateType, true)
	o.bool("present", p.Present, false)
	if len(p.Signers) > 0 {
		o.key("signers")
		w.buf = append(w.buf, '[')
		for i := range p.Signers {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			s := &p.Signers[i]
			so := w.open()
			so.str("issuer", s.Issuer, true)
			so.str("keyId", s.KeyID, true)
			so.str("subject", s.Subject, true)
			w.close()
		}
		w.buf = append(w.buf, ']')
	}
	o.int("slsaLevel", p.SLSALevel, false)
	o.str("sourceDigest", p.SourceDigest, true)
	o.str("sourceRef", p.SourceRef, true)
	o.str("sourceRepository", p.SourceRepository, true)
	o.bool("verified", p.Verified, false)
	w.close()
}

func (w *policyHasher) gitops(g *GitOps) {
	o := w.open()
	o.str("commit", g.Commit, true)
	o.str("environment", g.Environment, false)
	if len(g.History) > 0 {
		o.key("history")
		w.buf = append(w.buf, '[')
		for i := range g.History {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			d := &g.History[i]
			do := w.open()
			do.str("commit", d.Commit, true)
			do.str("digest", d.Digest, false)
			do.str("environment", d.Environment, false)
			do.str("time", d.Time, true)
			w.close()
		}
		w.buf = append(w.buf, ']')
	}
	o.str("repository", g.Repository, true)
	o.bool("signed", g.Signed, false)
	o.str("signedBy", g.SignedBy, true)
	w.close()
}
