package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// catalogue is the built-in catalogue, in the same format users write.
//
//go:embed catalogue/*.yaml
var catalogue embed.FS

var builtin = sync.OnceValues(func() ([]*Scenario, error) {
	names, err := fs.Glob(catalogue, "catalogue/*.yaml")
	if err != nil {
		return nil, err
	}
	files := make([]file, 0, len(names))
	for _, name := range names {
		data, err := catalogue.ReadFile(name)
		if err != nil {
			return nil, err
		}
		// Named as in the repository, so that editors can jump to the line.
		files = append(files, file{name: "scenarios/" + name, data: data})
	}
	return parseFiles(files)
})

// Builtin returns the embedded catalogue, parsed once. The catalogue is tested, so
// a problem in it is a bug in the binary: Builtin panics with BuiltinErr's message.
func Builtin() []*Scenario {
	all, err := builtin()
	if err != nil {
		panic("scenarios: built-in catalogue: " + err.Error())
	}
	return all
}

// BuiltinErr reports the problems of the embedded catalogue, or nil.
func BuiltinErr() error {
	_, err := builtin()
	return err
}

type file struct {
	name string
	data []byte
}

// Load reads scenario files and folders (every *.yaml and *.yml inside, recursively,
// in lexical order). An id may be defined only once across everything loaded. Every
// problem is reported, each as "FILE:LINE: what is wrong", joined with newlines.
func Load(paths ...string) ([]*Scenario, error) {
	var files []file
	var errs []error
	for _, path := range paths {
		names, err := yamlFiles(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			files = append(files, file{name: name, data: data})
		}
	}
	all, err := parseFiles(files)
	if err := errors.Join(append(errs, err)...); err != nil {
		return nil, err
	}
	return all, nil
}

// yamlFiles lists path itself when it is a file, else the YAML files under it.
func yamlFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var names []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := strings.ToLower(filepath.Ext(p)); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no *.yaml or *.yml files", path)
	}
	sort.Strings(names)
	return names, nil
}

// parseFiles parses every file and refuses an id defined twice.
func parseFiles(files []file) ([]*Scenario, error) {
	var all []*Scenario
	var errs []error
	where := map[string]string{}
	for _, f := range files {
		ss, err := Parse(f.name, f.data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, s := range ss {
			if first, dup := where[s.ID]; dup {
				file, line := splitSource(s.Source)
				errs = append(errs, &Error{File: file, Line: line, Msg: fmt.Sprintf("duplicate id %q (first at %s)", s.ID, first)})
				continue
			}
			where[s.ID] = s.Source
			all = append(all, s)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return all, nil
}

// splitSource splits "file:line".
func splitSource(src string) (string, int) {
	i := strings.LastIndexByte(src, ':')
	line := 0
	fmt.Sscanf(src[i+1:], "%d", &line)
	return src[:i], line
}
