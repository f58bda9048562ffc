// An independent verifier of the Factory API's audit transparency log, written against Go's
// reference implementation of signed notes and RFC 6962 trees (golang.org/x/mod/sumdb/note and
// golang.org/x/mod/sumdb/tlog) and nothing of this repository's code. From a running server it
// checks, per docs/SECURITY.md "The audit log as a transparency log":
//
//   - the export's trailer checkpoint and the newest checkpoint (note.Open with the pinned key);
//   - that the exported JSONL lines hash to the signed root (tlog.TreeHash over tlog.RecordHash
//     of each line's bytes);
//   - inclusion proofs from GET /api/v1/audit/proof/inclusion (tlog.CheckRecord);
//   - consistency proofs from GET /api/v1/audit/proof/consistency (tlog.CheckTree), from
//     several older sizes and from a remembered checkpoint when one is given;
//   - the C2SP tiles under /api/v1/audit/tlog/tile/, read with tlog.TileHashReader (which
//     verifies every tile against the signed root), and the entry bundles against the leaves.
//
// Usage: tlog-verifier -url BASE -vkey VERIFIER_KEY [-remember NOTE_FILE]
// The bearer token comes from the FACTORY_TOKEN environment variable (never an argument).
// Exit 0 when everything verifies, 1 on the first check that fails, 2 on usage or I/O errors.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const tileHeight = 8

type client struct {
	base  string
	token string
	http  *http.Client
}

// usageError is an I/O or usage problem (exit 2), not a verification failure.
type usageError struct{ error }

func (c *client) get(path string) ([]byte, error) {
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		return nil, usageError{err}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, usageError{err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, usageError{err}
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return body, nil
}

type checkpoint struct {
	origin string
	tree   tlog.Tree
}

// openCheckpoint verifies a C2SP tlog-checkpoint note and parses its body.
func openCheckpoint(text []byte, verifier note.Verifier) (checkpoint, error) {
	n, err := note.Open(text, note.VerifierList(verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return checkpoint{}, errors.New("checkpoint body is not origin, size, root")
	}
	if lines[0] != verifier.Name() {
		return checkpoint{}, fmt.Errorf("checkpoint origin %q is not the key's log %q", lines[0], verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("checkpoint size %q is not canonical decimal", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return checkpoint{}, fmt.Errorf("checkpoint root %q is not a base64 SHA-256", lines[2])
	}
	var hash tlog.Hash
	copy(hash[:], root)
	if size == 0 && hash != tlog.Hash(sha256Empty()) {
		return checkpoint{}, errors.New("an empty tree's root must be SHA-256 of nothing")
	}
	return checkpoint{origin: lines[0], tree: tlog.Tree{N: size, Hash: hash}}, nil
}

// memoryHashes is a tlog.HashReader over hashes computed here from the exported entries.
type memoryHashes []tlog.Hash

func (m memoryHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, index := range indexes {
		if index < 0 || index >= int64(len(m)) {
			return nil, fmt.Errorf("no stored hash %d", index)
		}
		out[i] = m[index]
	}
	return out, nil
}

func decodeHashes(texts []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(texts))
	for i, text := range texts {
		raw, err := base64.StdEncoding.DecodeString(text)
		if err != nil || len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %d is not a base64 SHA-256", i)
		}
		copy(out[i][:], raw)
	}
	return out, nil
}

// serverTiles reads C2SP tiles (`tile/<L>/<N>[.p/<W>]`: no height in the path, it is 8).
type serverTiles struct {
	c     *client
	reads int
}

func (s *serverTiles) Height() int { return tileHeight }

func c2spPath(t tlog.Tile) string {
	path := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", t.H))
	return "tile/" + strings.Replace(path, "data/", "entries/", 1)
}

func (s *serverTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := s.c.get("/api/v1/audit/tlog/" + c2spPath(t))
		if err != nil {
			return nil, err
		}
		s.reads++
		out[i] = data
	}
	return out, nil
}

func (s *serverTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func sha256Empty() tlog.Hash {
	// tlog has no constant for it: the empty tree's hash is SHA-256 of zero bytes.
	var h tlog.Hash
	raw, _ := base64.StdEncoding.DecodeString("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
	copy(h[:], raw)
	return h
}

// sampleSizes are the older tree sizes and leaf indexes the proofs are asked for.
func sampleSizes(n int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, s := range []int64{1, 2, 3, n / 3, n / 2, n - 1, n} {
		if s >= 1 && s <= n && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func run() error {
	base := flag.String("url", "", "the Factory API's base URL")
	vkey := flag.String("vkey", "", "the pinned verifier key (name+hash+base64)")
	remember := flag.String("remember", "", "a checkpoint note seen earlier: the log must have only grown since")
	flag.Parse()
	token := os.Getenv("FACTORY_TOKEN")
	if *base == "" || *vkey == "" || token == "" {
		return usageError{errors.New("usage: FACTORY_TOKEN=… tlog-verifier -url BASE -vkey KEY [-remember NOTE_FILE]")}
	}
	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		return usageError{fmt.Errorf("verifier key: %v", err)}
	}
	c := &client{base: strings.TrimRight(*base, "/"), token: token, http: &http.Client{Timeout: 60 * time.Second}}

	// 1. The export: every entry line, then a trailer with the checkpoint that covers them.
	export, err := c.get("/api/v1/audit/export")
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(string(export), "\n"), "\n")
	if len(lines) < 1 {
		return errors.New("the export is empty")
	}
	var trailer struct {
		Checkpoint string `json:"checkpoint"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &trailer); err != nil || trailer.Checkpoint == "" {
		return errors.New("the export has no checkpoint trailer")
	}
	entries := lines[:len(lines)-1]
	exported, err := openCheckpoint([]byte(trailer.Checkpoint), verifier)
	if err != nil {
		return fmt.Errorf("export trailer: %v", err)
	}
	var stored memoryHashes
	for i, line := range entries {
		hashes, err := tlog.StoredHashes(int64(i), []byte(line), stored)
		if err != nil {
			return err
		}
		stored = append(stored, hashes...)
	}
	if int64(len(entries)) != exported.tree.N {
		return fmt.Errorf("the export has %d entries but its checkpoint covers %d", len(entries), exported.tree.N)
	}
	root, err := tlog.TreeHash(exported.tree.N, stored)
	if err != nil {
		return err
	}
	if root != exported.tree.Hash {
		return fmt.Errorf("the exported entries hash to %v, not the signed root %v (size %d)", root, exported.tree.Hash, exported.tree.N)
	}
	fmt.Printf("ok export: %d entries hash to the signed root of %s (tlog.TreeHash)\n", len(entries), exported.origin)

	// 2. The newest checkpoint, from the tlog-tiles endpoint.
	latestNote, err := c.get("/api/v1/audit/tlog/checkpoint")
	if err != nil {
		return err
	}
	latest, err := openCheckpoint(latestNote, verifier)
	if err != nil {
		return fmt.Errorf("newest checkpoint: %v", err)
	}
	if latest.tree.N < exported.tree.N {
		return fmt.Errorf("the newest checkpoint (size %d) is shorter than the export's (size %d)", latest.tree.N, exported.tree.N)
	}
	fmt.Printf("ok checkpoint: %s size %d, signature valid (note.Open)\n", latest.origin, latest.tree.N)

	// 3. Consistency: every older tree computed here from the entries is inside the newest one.
	checkTree := func(old tlog.Tree, what string) error {
		if old.N == latest.tree.N {
			if old.Hash != latest.tree.Hash {
				return fmt.Errorf("consistency %s: the same size %d has another root (a forked log)", what, old.N)
			}
			return nil
		}
		body, err := c.get(fmt.Sprintf("/api/v1/audit/proof/consistency?from=%d&to=%d", old.N, latest.tree.N))
		if err != nil {
			return err
		}
		var proof struct {
			From   int64    `json:"from"`
			To     int64    `json:"to"`
			Hashes []string `json:"hashes"`
		}
		if err := json.Unmarshal(body, &proof); err != nil {
			return err
		}
		hashes, err := decodeHashes(proof.Hashes)
		if err != nil {
			return err
		}
		if proof.From != old.N || proof.To != latest.tree.N {
			return fmt.Errorf("consistency %s: asked %d→%d, got %d→%d", what, old.N, latest.tree.N, proof.From, proof.To)
		}
		if err := tlog.CheckTree(tlog.TreeProof(hashes), latest.tree.N, latest.tree.Hash, old.N, old.Hash); err != nil {
			return fmt.Errorf("consistency %s %d→%d does not verify (tlog.CheckTree): %v", what, old.N, latest.tree.N, err)
		}
		return nil
	}
	consistency := 0
	for _, size := range sampleSizes(exported.tree.N) {
		old, err := tlog.TreeHash(size, stored)
		if err != nil {
			return err
		}
		if err := checkTree(tlog.Tree{N: size, Hash: old}, "from the export"); err != nil {
			return err
		}
		consistency++
	}
	if *remember != "" {
		text, err := os.ReadFile(*remember)
		if err != nil {
			return usageError{err}
		}
		earlier, err := openCheckpoint(text, verifier)
		if err != nil {
			return fmt.Errorf("remembered checkpoint: %v", err)
		}
		if earlier.tree.N > latest.tree.N {
			return fmt.Errorf("the log (size %d) is shorter than the remembered checkpoint (size %d): first missing seq %d", latest.tree.N, earlier.tree.N, latest.tree.N+1)
		}
		if err := checkTree(earlier.tree, "from the remembered checkpoint"); err != nil {
			return err
		}
		fmt.Printf("ok remembered: the log only grew since size %d (tlog.CheckTree)\n", earlier.tree.N)
	}
	fmt.Printf("ok consistency: %d proofs into size %d verify (tlog.CheckTree)\n", consistency, latest.tree.N)

	// 4. Inclusion of exported entries in the newest tree.
	leaves := sampleSizes(exported.tree.N)
	for _, seq := range leaves {
		body, err := c.get(fmt.Sprintf("/api/v1/audit/proof/inclusion?seq=%d&size=%d", seq, latest.tree.N))
		if err != nil {
			return err
		}
		var proof struct {
			LeafIndex int64    `json:"leaf_index"`
			TreeSize  int64    `json:"tree_size"`
			Hashes    []string `json:"hashes"`
		}
		if err := json.Unmarshal(body, &proof); err != nil {
			return err
		}
		hashes, err := decodeHashes(proof.Hashes)
		if err != nil {
			return err
		}
		if proof.LeafIndex != seq-1 || proof.TreeSize != latest.tree.N {
			return fmt.Errorf("inclusion of seq %d: the proof is for leaf %d of size %d", seq, proof.LeafIndex, proof.TreeSize)
		}
		leaf := tlog.RecordHash([]byte(entries[seq-1]))
		if err := tlog.CheckRecord(tlog.RecordProof(hashes), latest.tree.N, latest.tree.Hash, seq-1, leaf); err != nil {
			return fmt.Errorf("inclusion of seq %d in size %d does not verify (tlog.CheckRecord): %v", seq, latest.tree.N, err)
		}
	}
	fmt.Printf("ok inclusion: %d proofs in size %d verify (tlog.CheckRecord)\n", len(leaves), latest.tree.N)

	// 5. Tiles: TileHashReader checks each tile it reads against the signed root.
	tiles := &serverTiles{c: c}
	reader := tlog.TileHashReader(latest.tree, tiles)
	tileRoot, err := tlog.TreeHash(latest.tree.N, reader)
	if err != nil {
		return fmt.Errorf("tiles do not verify against the signed root (tlog.TileHashReader): %v", err)
	}
	if tileRoot != latest.tree.Hash {
		return fmt.Errorf("tiles hash to %v, not the signed root", tileRoot)
	}
	for _, seq := range leaves {
		proof, err := tlog.ProveRecord(latest.tree.N, seq-1, reader)
		if err != nil {
			return fmt.Errorf("tiles: %v", err)
		}
		leaf := tlog.RecordHash([]byte(entries[seq-1]))
		if err := tlog.CheckRecord(proof, latest.tree.N, latest.tree.Hash, seq-1, leaf); err != nil {
			return fmt.Errorf("tiles: inclusion of seq %d does not verify: %v", seq, err)
		}
	}
	// Entry bundles: each entry's record hash is the leaf hash the verified tiles hold.
	bundles := 0
	for start := int64(0); start < exported.tree.N; start += 1 << tileHeight {
		width := exported.tree.N - start
		if width > 1<<tileHeight {
			width = 1 << tileHeight
		}
		t := tlog.Tile{H: tileHeight, L: -1, N: start >> tileHeight, W: int(width)}
		data, err := c.get("/api/v1/audit/tlog/" + c2spPath(t))
		if err != nil {
			return err
		}
		indexes := make([]int64, width)
		for i := range indexes {
			indexes[i] = tlog.StoredHashIndex(0, start+int64(i))
		}
		leafHashes, err := reader.ReadHashes(indexes)
		if err != nil {
			return fmt.Errorf("tiles: %v", err)
		}
		for i := int64(0); i < width; i++ {
			if len(data) < 2 {
				return fmt.Errorf("entry bundle %s ends before entry %d", c2spPath(t), start+i+1)
			}
			size := int(binary.BigEndian.Uint16(data))
			if len(data) < 2+size {
				return fmt.Errorf("entry bundle %s ends inside entry %d", c2spPath(t), start+i+1)
			}
			entry := data[2 : 2+size]
			data = data[2+size:]
			if tlog.RecordHash(entry) != leafHashes[i] {
				return fmt.Errorf("entry bundle: seq %d is not the leaf the signed tree holds", start+i+1)
			}
			if !bytes.Equal(entry, []byte(entries[start+i])) {
				return fmt.Errorf("entry bundle: seq %d differs from the exported line", start+i+1)
			}
		}
		if len(data) != 0 {
			return fmt.Errorf("entry bundle %s has bytes after its %d entries", c2spPath(t), width)
		}
		bundles++
	}
	fmt.Printf("ok tiles: %d tiles and %d entry bundles verify against the signed root (tlog.TileHashReader)\n", tiles.reads, bundles)
	fmt.Println("VERIFIED")
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
