// Package gitops promotes an allowed artifact into a GitOps repository:
// byte-exact edits of image references in Kubernetes YAML, kustomizations,
// Helm values and Flux setter markers, signed commits, pushes that survive
// concurrent promotions, promotion records, rollback and history audit.
package gitops
