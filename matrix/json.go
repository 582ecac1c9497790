package matrix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// WriteJSON writes the matrix as indented JSON (matrix.json). Map keys are
// sorted, so the same matrix always gives the same bytes.
func (m *Matrix) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// Load reads a matrix written by WriteJSON. Reading is strict: unknown fields, a
// different schema version, or a row without one cell per target are errors.
func Load(path string) (*Matrix, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("matrix: %w", err)
	}
	m, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("matrix %s: %w", path, err)
	}
	return m, nil
}

// decode parses and checks a matrix.
func decode(data []byte) (*Matrix, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Matrix
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the matrix")
	}
	if m.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("schema version %d; this gatecheck reads version %d", m.SchemaVersion, SchemaVersion)
	}
	families := map[string]bool{}
	for _, f := range m.Families {
		families[f.Name] = true
	}
	for _, r := range m.Rows {
		if len(r.Cells) != len(m.Targets) {
			return nil, fmt.Errorf("row %q: %d cells for %d targets", r.ID, len(r.Cells), len(m.Targets))
		}
		if !families[r.Family] {
			return nil, fmt.Errorf("row %q: family %q is not listed in families", r.ID, r.Family)
		}
	}
	return &m, nil
}
