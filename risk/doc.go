// Package risk says how risky an SBOM is: it matches components against an
// OSV vulnerability database with each ecosystem's version rules, enriches
// findings with CVSS, EPSS and CISA KEV, applies VEX, collects supply-chain
// signals (typosquats, dependency anomalies, install scripts, Git
// behaviour) and turns them into explainable, prioritised results.
package risk
