// Command goverify verifies served chains with Go's crypto/x509, for trustgraph's
// differential tests. Input on stdin: a JSON array of cases {"leaf", "intermediates",
// "roots" (base64 DER), "time" (Unix seconds)}. Output: a JSON array of
// {"ok", "chains" (SHA-256 hex of every certificate, leaf first), "error"}.
package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"os"
	"time"
)

type input struct {
	Leaf          []byte   `json:"leaf"`
	Intermediates [][]byte `json:"intermediates"`
	Roots         [][]byte `json:"roots"`
	Time          int64    `json:"time"`
}

type output struct {
	OK     bool       `json:"ok"`
	Chains [][]string `json:"chains"`
	Error  string     `json:"error"`
}

func parse(der []byte) *x509.Certificate {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return cert
}

func verify(in input) output {
	roots := x509.NewCertPool()
	for _, der := range in.Roots {
		roots.AddCert(parse(der))
	}
	intermediates := x509.NewCertPool()
	for _, der := range in.Intermediates {
		intermediates.AddCert(parse(der))
	}
	chains, err := parse(in.Leaf).Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   time.Unix(in.Time, 0),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return output{Error: err.Error()}
	}
	result := output{OK: true}
	for _, chain := range chains {
		var hashes []string
		for _, cert := range chain {
			sum := sha256.Sum256(cert.Raw)
			hashes = append(hashes, hex.EncodeToString(sum[:]))
		}
		result.Chains = append(result.Chains, hashes)
	}
	return result
}

func main() {
	var cases []input
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	results := make([]output, len(cases))
	for i, c := range cases {
		results[i] = verify(c)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		panic(err)
	}
}
