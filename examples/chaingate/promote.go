package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chaingate/chaingate"
	"github.com/chaingate/chaingate/gitops"
)

const promoteSchema = "chaingate.dev/cli/promote/v1"

// parseEdit reads --edit FILE[,KEY=VALUE...] into a gitops.Edit; without a
// selector the target is every reference to the promoted image's name.
func parseEdit(s, imageName string) (gitops.Edit, error) {
	parts := strings.Split(s, ",")
	e := gitops.Edit{File: parts[0]}
	if e.File == "" {
		return e, usageErr("--edit %q: no file", s)
	}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return e, usageErr("--edit %q: %q is not KEY=VALUE", s, kv)
		}
		switch k {
		case "name":
			e.Target.Name = v
		case "container":
			e.Target.Container = v
		case "path":
			e.Target.Path = v
		case "doc":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return e, usageErr("--edit %q: doc=%q is not a document index", s, v)
			}
			e.Target.Doc = n
		case "policy":
			e.Target.Policy = v
		default:
			return e, usageErr("--edit %q: unknown selector %q (name, container, path, doc, policy)", s, k)
		}
	}
	if e.Target == (gitops.ImageTarget{Doc: e.Target.Doc}) {
		e.Target.Name = imageName
	}
	return e, nil
}

// promoteResult is the JSON of promote.
type promoteResult struct {
	SchemaVersion string             `json:"schemaVersion"`
	Promoted      bool               `json:"promoted"`
	Verdict       *chaingate.Verdict `json:"verdict,omitempty"`
	Promotion     *gitops.Promotion  `json:"promotion,omitempty"`
	// Reasons are the promoter's deny reasons (a stage rule, a gate deny).
	Reasons []string `json:"reasons,omitempty"`
}

func (a *app) promoteCmd() *cobra.Command {
	var g gateFlags
	var repoURL, branch, image, stage, sshKey, pgpKey, author, message string
	var edits []string
	var noGate bool
	cmd := &cobra.Command{
		Use:   "promote",
		Short: "Promote an allowed artifact into a GitOps repository, through the gate",
		Long: `Promote writes IMAGE@DIGEST into the files of a GitOps repository (--repo, a
local path or a file://, ssh:// or https:// URL; --branch) with byte-exact
edits, and commits and pushes, retrying on concurrent pushes. The commit
carries chaingate's trailers (image, digest, previous value, stage, gate
decision), so "audit" and the SDK's History read it back.

The artifact first passes the composed gate, with the same flags as "gate"
(--attestation, --sbom, --db, --trusted-root, --policy ...): only an
allowing verdict reaches Git, and the promoter asks the gate again for the
exact digest it writes. --without-gate-unsafe skips the gate entirely.

Each --edit names a file and, optionally, selectors:
  --edit apps/api/deployment.yaml                  every reference to the image's name
  --edit apps/api/values.yaml,path=image.tag       one value, by path
  --edit k8s/app.yaml,container=web                the image of container "web"
  --edit clusters/prod.yaml,policy=flux-system:api Flux setter markers

  chaingate promote --repo ./gitops.git --image ghcr.io/acme/api --digest sha256:... \
    --edit apps/api/deployment.yaml --stage prod [gate flags]

` + exitCodesHelp + `
  (a gate deny, a stage rule or a promoter deny exits 1; nothing is written)`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json"); err != nil {
				return err
			}
			if repoURL == "" {
				return usageErr("promote needs --repo")
			}
			if len(edits) == 0 {
				return usageErr("promote needs at least one --edit")
			}
			// The reference written keeps the tag ("name:tag@digest"); the
			// edit targets match the bare name.
			withTag, _, _ := strings.Cut(image, "@")
			name := withTag
			if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
				name = name[:i]
			}
			g.image = image
			if g.env == "" {
				g.env = stage
			}
			req := gitops.Request{Image: withTag + "@" + g.digest, Stage: stage, Message: message}
			if image == "" || g.digest == "" {
				return usageErr("promote needs --image and --digest")
			}
			for _, s := range edits {
				e, err := parseEdit(s, name)
				if err != nil {
					return err
				}
				req.Edits = append(req.Edits, e)
			}
			opts := []gitops.Option{gitops.WithAuthor(author, "chaingate-cli@chaingate.invalid")}
			if stage != "" {
				// The stage's edits are the explicit ones; its name goes
				// into the trailers and the policy input.
				opts = append(opts, gitops.WithPipeline(gitops.Pipeline{Stages: []gitops.Stage{{Name: stage, Edits: req.Edits}}}))
				req.Edits = nil
			}
			signer, err := loadSigner(sshKey, pgpKey)
			if err != nil {
				return err
			}
			if signer != nil {
				opts = append(opts, gitops.WithSigner(signer))
			}
			res := promoteResult{SchemaVersion: promoteSchema}
			if noGate {
				opts = append(opts, gitops.WithoutGateUnsafe())
			} else {
				c, err := g.candidate()
				if err != nil {
					return err
				}
				p := newProgress(a.stderr)
				gate, err := g.build(cmd, p)
				if err != nil {
					return err
				}
				p.step("evaluating %s", c.Image)
				v, evalErr := gate.Evaluate(cmd.Context(), c)
				p.finish()
				if v == nil {
					return fmt.Errorf("gate: no verdict: %w", evalErr)
				}
				res.Verdict = v
				if !v.Allow {
					if err := a.writePromote(&res, evalErr); err != nil {
						return err
					}
					return denied("%s denied by the gate: not promoted", c.Image)
				}
				req.Evidence = evidenceOf(c)
				opts = append(opts, gitops.WithGate(gate.For(c)))
			}
			pr, err := gitops.NewPromoter(gitops.Repository{URL: repoURL, Branch: branch}, opts...)
			if err != nil {
				return err
			}
			res.Promotion, err = pr.Promote(cmd.Context(), req)
			var de *gitops.DeniedError
			switch {
			case errors.As(err, &de):
				res.Reasons = de.Decision.Reasons
			case errors.Is(err, gitops.ErrStageRule), errors.Is(err, gitops.ErrPinned), errors.Is(err, gitops.ErrPathNotAllowed):
				res.Reasons = []string{err.Error()}
			case err != nil:
				return fmt.Errorf("promote %s: %w", req.Image, err)
			}
			res.Promoted = err == nil
			if werr := a.writePromote(&res, nil); werr != nil {
				return werr
			}
			if err != nil {
				return denied("not promoted: %v", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&repoURL, "repo", "", "GitOps repository: local path, file://, ssh:// or https:// URL")
	f.StringVar(&branch, "branch", "main", "branch that holds the desired state")
	f.StringVar(&image, "image", "", "image name (a tag may follow), e.g. ghcr.io/acme/api")
	f.StringArrayVar(&edits, "edit", nil, "FILE[,name=|container=|path=|doc=|policy=...] to edit (repeatable)")
	f.StringVar(&stage, "stage", "", "stage (environment) being promoted to; also the gate's --env")
	f.StringVar(&sshKey, "sign-ssh-key", "", "sign the commit with this SSH private key (OpenSSH PEM, unencrypted)")
	f.StringVar(&pgpKey, "sign-pgp-key", "", "sign the commit with this armored OpenPGP private key (unencrypted)")
	f.StringVar(&author, "author", "chaingate", "commit author name")
	f.StringVar(&message, "message", "", "commit message body")
	f.BoolVar(&noGate, "without-gate-unsafe", false, "promote without any gate (unsafe: nothing is verified)")
	g.flags(cmd)
	return cmd
}

func evidenceOf(c chaingate.Candidate) []gitops.Evidence {
	var ev []gitops.Evidence
	for range c.Attestations {
		ev = append(ev, gitops.Evidence{Kind: "sigstore-bundle", Ref: c.Image, Digest: c.Digest})
	}
	return ev
}

func loadSigner(sshKey, pgpKey string) (gitops.Signer, error) {
	switch {
	case sshKey != "" && pgpKey != "":
		return nil, usageErr("give --sign-ssh-key or --sign-pgp-key, not both")
	case sshKey != "":
		b, err := readFile("SSH signing key", sshKey, 1<<20)
		if err != nil {
			return nil, err
		}
		return gitops.NewSSHSignerFromPEM(b, nil)
	case pgpKey != "":
		b, err := readFile("OpenPGP signing key", pgpKey, 1<<20)
		if err != nil {
			return nil, err
		}
		return gitops.NewOpenPGPSigner(b, nil)
	}
	return nil, nil
}

func (a *app) writePromote(res *promoteResult, evalErr error) error {
	if a.output == "json" {
		return writeJSON(a.stdout, res)
	}
	if res.Verdict != nil {
		if err := writeVerdictText(a.stdout, res.Verdict, evalErr); err != nil {
			return err
		}
	}
	return writePromotionText(a.stdout, res)
}

func writePromotionText(w io.Writer, res *promoteResult) error {
	p := res.Promotion
	switch {
	case !res.Promoted && res.Verdict != nil && !res.Verdict.Allow:
		fmt.Fprintln(w, "not promoted: the gate denied")
	case !res.Promoted:
		fmt.Fprintln(w, "not promoted:")
		for _, r := range res.Reasons {
			fmt.Fprintf(w, "  %s\n", r)
		}
	case p.NoChange:
		fmt.Fprintf(w, "no change: %s already holds %s\n", p.Branch, p.Image)
	default:
		fmt.Fprintf(w, "promoted %s to %s: commit %s (parent %s, %d attempt(s))\n", p.Image, p.Branch, p.Commit, shortCommit(p.Parent), p.Attempts)
		t := newTable(w, "FILE", "LINE", "OLD", "NEW")
		for _, f := range p.Files {
			for _, c := range f.Changes {
				t.row(f.File, strconv.Itoa(c.Line), c.Old, c.New)
			}
		}
		return t.flush()
	}
	return nil
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// denyAll is the gate of the promoter audit uses: audit never promotes.
var denyAll = gitops.GateFunc(func(context.Context, gitops.Candidate) (gitops.Decision, error) {
	return gitops.Decision{Allow: false, Reasons: []string{"audit does not promote"}}, nil
})

func (a *app) auditCmd() *cobra.Command {
	var branch, allowedSigners, keyring string
	var signers []string
	var limit int
	cmd := &cobra.Command{
		Use:   "audit REPO",
		Short: "Audit a GitOps repository's history: unsigned commits, unknown signers, paths outside a signer's remit",
		Long: `Audit walks the history of REPO's --branch and reports every commit that is
unsigned, signed by a key that does not verify, signed by a key not on the
allow-list, or that changes paths its signer may not change.

Trust comes from --allowed-signers (git's SSH allowed-signers format) and/or
--keyring (armored OpenPGP public keys); at least one is required. --signer
narrows the allow-list: FINGERPRINT (or NAME) optionally followed by
=GLOB[;GLOB...] to limit the paths that signer may change.

  chaingate audit ./gitops.git --allowed-signers allowed_signers
  chaingate audit ./gitops.git --keyring team.asc --signer 'SHA256:abc=apps/api/**' -o json

` + exitCodesHelp + `
  (any finding exits 1)`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.formats("text", "json"); err != nil {
				return err
			}
			var vs []gitops.Verifier
			if allowedSigners != "" {
				b, err := readFile("allowed signers", allowedSigners, 4<<20)
				if err != nil {
					return err
				}
				v, err := gitops.NewSSHVerifier(b)
				if err != nil {
					return fmt.Errorf("%s: %w", allowedSigners, err)
				}
				vs = append(vs, v)
			}
			if keyring != "" {
				b, err := readFile("OpenPGP keyring", keyring, 4<<20)
				if err != nil {
					return err
				}
				v, err := gitops.NewOpenPGPVerifier(b)
				if err != nil {
					return fmt.Errorf("%s: %w", keyring, err)
				}
				vs = append(vs, v)
			}
			if len(vs) == 0 {
				return usageErr("audit needs trust: --allowed-signers and/or --keyring")
			}
			opts := gitops.AuditOptions{Verifier: gitops.MultiVerifier(vs...), Limit: limit}
			for _, s := range signers {
				id, globs, _ := strings.Cut(s, "=")
				as := gitops.AllowedSigner{Fingerprint: id}
				if !strings.HasPrefix(id, "SHA256:") && !isHex(id) {
					as = gitops.AllowedSigner{Name: id}
				}
				if globs != "" {
					as.Paths = strings.Split(globs, ";")
				}
				opts.Signers = append(opts.Signers, as)
			}
			pr, err := gitops.NewPromoter(gitops.Repository{URL: args[0], Branch: branch}, gitops.WithGate(denyAll))
			if err != nil {
				return err
			}
			p := newProgress(a.stderr)
			p.step("auditing %s", args[0])
			rep, err := pr.Audit(cmd.Context(), opts)
			p.finish()
			if err != nil {
				return err
			}
			if a.output == "json" {
				if err := writeJSON(a.stdout, rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(a.stdout, "%s %s at %s: %d commits audited, %d findings\n", args[0], rep.Branch, shortCommit(rep.Tip), rep.Commits, len(rep.Findings))
				if len(rep.Findings) > 0 {
					t := newTable(a.stdout, "COMMIT", "FINDING", "SIGNER", "MESSAGE")
					for _, f := range rep.Findings {
						who := ""
						if f.Signer != nil {
							who = f.Signer.Fingerprint
							if f.Signer.Name != "" {
								who = f.Signer.Name + " " + who
							}
						}
						t.row(shortCommit(f.Commit), f.Kind, who, truncate(f.Message, 100))
					}
					if err := t.flush(); err != nil {
						return err
					}
				}
			}
			if !rep.OK() {
				return denied("%d audit findings", len(rep.Findings))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&branch, "branch", "main", "branch to audit")
	f.StringVar(&allowedSigners, "allowed-signers", "", "SSH allowed-signers file (git's gpg.ssh.allowedSignersFile format)")
	f.StringVar(&keyring, "keyring", "", "armored OpenPGP public keys")
	f.StringArrayVar(&signers, "signer", nil, "allowed signer FINGERPRINT or NAME, optionally =GLOB;GLOB paths (repeatable; default: every trusted key)")
	f.IntVar(&limit, "limit", 0, "audit only the newest N commits (0: all)")
	return cmd
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
