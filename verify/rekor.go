package verify

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/chaingate/chaingate/provenance"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// checkInclusionConsistency makes every field of a log entry's inclusion
// proof agree: the canonicalized body's leaf hash, the proof hashes, the
// root hash and tree size, and the signed checkpoint. sigstore-go checks
// Rekor v2 entries against a hash it rebuilds from the bundle and never
// reads the body or the root-hash field, so without this a bundle with an
// altered body or root hash would still verify. It runs only after
// sigstore-go verified the checkpoint signature; it is written here
// because no library exposes it as one call.
func checkInclusionConsistency(b *provenance.Bundle) error {
	for i, e := range b.Sigstore().GetVerificationMaterial().GetTlogEntries() {
		ip := e.GetInclusionProof()
		if ip == nil {
			continue
		}
		cp := ip.GetCheckpoint().GetEnvelope()
		lines := strings.SplitN(cp, "\n", 4)
		if len(lines) < 3 {
			return fmt.Errorf("log entry %d: malformed checkpoint", i)
		}
		size, err := strconv.ParseUint(lines[1], 10, 64)
		if err != nil {
			return fmt.Errorf("log entry %d: checkpoint tree size: %w", i, err)
		}
		root, err := base64.StdEncoding.DecodeString(lines[2])
		if err != nil {
			return fmt.Errorf("log entry %d: checkpoint root hash: %w", i, err)
		}
		if size != uint64(ip.GetTreeSize()) || !bytes.Equal(root, ip.GetRootHash()) {
			return fmt.Errorf("log entry %d: inclusion proof (size %d) does not match its signed checkpoint (size %d)", i, ip.GetTreeSize(), size)
		}
		if ip.GetLogIndex() < 0 || ip.GetTreeSize() < 0 {
			return fmt.Errorf("log entry %d: negative index or size", i)
		}
		leaf := rfc6962.DefaultHasher.HashLeaf(e.GetCanonicalizedBody())
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(ip.GetLogIndex()), uint64(ip.GetTreeSize()), leaf, ip.GetHashes(), root); err != nil {
			return fmt.Errorf("log entry %d: canonicalized body is not the logged leaf: %w", i, err)
		}
	}
	return nil
}
