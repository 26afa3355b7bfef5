package vulndb

import (
	"errors"
	"fmt"
	"slices"
)

// ErrUnsupportedEcosystem reports an ecosystem or range type chaingate
// has no version ordering for.
var ErrUnsupportedEcosystem = errors.New("risk: no version ordering for ecosystem")

// matchResult is the outcome of comparing one version against one
// affected[] element.
type matchResult struct {
	Affected bool
	Rng      string   // the range that matched
	Fixed    []string // fixed versions above the compared version
}

type matchEvent struct {
	event
	v vulnVersion
}

// matchParsed is an affected[] element with its range events parsed and
// sorted, computed once per DB on first use.
type matchParsed struct {
	ranges []matchRange
}

type matchRange struct {
	scheme scheme
	events []matchEvent
	limits []vulnVersion
	err    error // the range cannot be evaluated
}

// matchPrepare parses and sorts the events of an affected[] element.
func matchPrepare(a *affected, ecosystem string) *matchParsed {
	p := &matchParsed{}
	for ri := range a.Ranges {
		r := &a.Ranges[ri]
		if r.Type == "GIT" {
			continue
		}
		mr := matchRange{scheme: schemeFor(ecosystem, r.Type)}
		if mr.scheme == nil {
			mr.err = fmt.Errorf("%w: %s %s range", ErrUnsupportedEcosystem, ecosystem, r.Type)
			p.ranges = append(p.ranges, mr)
			continue
		}
		for _, e := range r.Events {
			pv, err := mr.scheme.parse(e.Version)
			if err != nil {
				mr.err = fmt.Errorf("range event %s %q: %w", e.Kind, e.Version, err)
				break
			}
			if e.Kind == eventLimit {
				mr.limits = append(mr.limits, pv)
				continue
			}
			mr.events = append(mr.events, matchEvent{e, pv})
		}
		slices.SortStableFunc(mr.events, func(x, y matchEvent) int { return x.v.vulnCmp(y.v) })
		p.ranges = append(p.ranges, mr)
	}
	return p
}

// versionCache holds a component version parsed once per scheme.
type versionCache struct {
	Version string
	schemes []scheme
	parsed  []vulnVersion
	errs    []error
}

func (c *versionCache) get(s scheme) (vulnVersion, error) {
	for i, x := range c.schemes {
		if x == s {
			return c.parsed[i], c.errs[i]
		}
	}
	v, err := s.parseLiteral(c.Version)
	c.schemes, c.parsed, c.errs = append(c.schemes, s), append(c.parsed, v), append(c.errs, err)
	return v, err
}

// matchAffected evaluates an OSV affected[] element for a version, as the
// OSV schema defines it: an explicit versions list, then each SEMVER or
// ECOSYSTEM range evaluated over its events sorted by version
// (introduced opens an affected interval, fixed closes it at the version,
// last_affected after it, and limit bounds the range from above). GIT
// ranges name commits and cannot match a package version; they are
// skipped. An error means the version could not be assessed against this
// element (the caller reports it, never treats it as "not affected"
// silently).
func matchAffected(a *affected, ecosystem, version string) (matchResult, error) {
	return matchPrepared(a, matchPrepare(a, ecosystem), ecosystem, &versionCache{Version: version})
}

// matchPrepared says whether the version in vc is affected by a, whose
// ranges p were prepared for ecosystem (see (*DB).prepare).
func matchPrepared(a *affected, p *matchParsed, ecosystem string, vc *versionCache) (matchResult, error) {
	var res matchResult
	version := vc.Version
	if len(a.Versions) > 0 {
		// Compare with the ecosystem's equality ("2.10" is "2.10.0" in
		// PyPI, "1.2.3" is "v1.2.3" in Go); fall back to the strings.
		scheme := schemeFor(ecosystem, "ECOSYSTEM")
		var cv vulnVersion
		if scheme != nil {
			cv, _ = vc.get(scheme)
		}
		for _, v := range a.Versions {
			eq := v == version
			if !eq && cv != nil {
				if pv, err := scheme.parseLiteral(v); err == nil && cv.vulnCmp(pv) == 0 {
					eq = true
				}
			}
			if eq {
				res.Affected, res.Rng = true, "versions list: "+v
				res.Fixed = matchFixedAbove(p, vc)
				return res, nil
			}
		}
	}
	var firstErr error
	assessed := len(a.Versions) > 0
	for ri := range p.ranges {
		r := &p.ranges[ri]
		if r.err != nil {
			if firstErr == nil {
				firstErr = r.err
			}
			continue
		}
		cv, err := vc.get(r.scheme)
		if err != nil {
			return matchResult{}, err
		}
		assessed = true
		vuln := false
		lower, upper := "", ""
		for _, e := range r.events {
			c := cv.vulnCmp(e.v)
			switch e.Kind {
			case eventIntroduced:
				// "0" is OSV's "every version", pre-releases of 0
				// included (Maven's 0-alpha sorts below 0).
				if c >= 0 || e.Version == "0" {
					vuln, lower, upper = true, ">="+e.Version, ""
				}
			case eventFixed:
				if c >= 0 {
					vuln = false
				} else if vuln && upper == "" {
					upper = "<" + e.Version
				}
			case eventLastAffected:
				if c > 0 {
					vuln = false
				} else if vuln && upper == "" {
					upper = "<=" + e.Version
				}
			}
		}
		if vuln && len(r.limits) > 0 {
			below := false
			for _, l := range r.limits {
				if cv.vulnCmp(l) < 0 {
					below = true
				}
			}
			vuln = below
		}
		if !vuln {
			continue
		}
		res.Affected = true
		if upper != "" {
			res.Rng = lower + ", " + upper
		} else {
			res.Rng = lower
		}
		for _, e := range r.events {
			if e.Kind == eventFixed && cv.vulnCmp(e.v) < 0 && !slices.Contains(res.Fixed, e.Version) {
				res.Fixed = append(res.Fixed, e.Version)
			}
		}
		return res, nil
	}
	if !assessed && firstErr != nil {
		return matchResult{}, firstErr
	}
	return res, nil
}

// matchFixedAbove lists the fixed events above the version in every
// range that can be evaluated: distro records (Debian, Ubuntu) list
// affected versions and a fixing range together, and a match through the
// list still has a fix to report.
func matchFixedAbove(p *matchParsed, vc *versionCache) []string {
	var fixed []string
	for ri := range p.ranges {
		r := &p.ranges[ri]
		if r.err != nil {
			continue
		}
		cv, err := vc.get(r.scheme)
		if err != nil {
			continue
		}
		for _, e := range r.events {
			if e.Kind == eventFixed && cv.vulnCmp(e.v) < 0 && !slices.Contains(fixed, e.Version) {
				fixed = append(fixed, e.Version)
			}
		}
	}
	return fixed
}
