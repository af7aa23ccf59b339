package pipeline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Stdin is the argument that names standard input.
const Stdin = "-"

// Input is one named source of records: a file or standard input.
type Input struct {
	Name string // the path, or "-" for standard input
	open func() (io.ReadCloser, error)
}

// Open opens the input for reading.
func (in Input) Open() (io.ReadCloser, error) {
	rc, err := in.open()
	if err != nil {
		return nil, &InputError{Name: in.Name, Err: err}
	}
	return rc, nil
}

// InputError is an input that cannot be found, opened or read. The CLI
// reports it with exit status 2.
type InputError struct {
	Name string
	Err  error
}

func (e *InputError) Error() string {
	if strings.Contains(e.Err.Error(), e.Name) {
		return e.Err.Error()
	}
	return e.Name + ": " + e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// FileInput reads the named file.
func FileInput(path string) Input {
	return Input{Name: path, open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// ReaderInput reads r under the given name (standard input, tests).
func ReaderInput(name string, r io.Reader) Input {
	return Input{Name: name, open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
}

// ResolveInputs expands FILE|DIR|- arguments into inputs, in order.
// Directories are walked recursively in name order, skipping entries whose
// name starts with "." (editor and temporary files). Every file is opened
// once up front, so a typo or a permission problem stops the run before
// anything is written.
func ResolveInputs(args []string, stdin io.Reader) ([]Input, error) {
	var out []Input
	sawStdin := false
	for _, a := range args {
		if a == Stdin {
			if sawStdin {
				return nil, &InputError{Name: Stdin, Err: errors.New("standard input given twice")}
			}
			sawStdin = true
			out = append(out, ReaderInput(Stdin, stdin))
			continue
		}
		files, err := expand(a)
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

// expand resolves one path argument to its files.
func expand(path string) ([]Input, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &InputError{Name: path, Err: unwrapPath(err)}
	}
	if !st.IsDir() {
		if err := checkReadable(path); err != nil {
			return nil, err
		}
		return []Input{FileInput(path)}, nil
	}
	var out []Input
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &InputError{Name: p, Err: unwrapPath(err)}
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if err := checkReadable(p); err != nil {
			return err
		}
		out = append(out, FileInput(p))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func checkReadable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &InputError{Name: path, Err: unwrapPath(err)}
	}
	return f.Close()
}

// unwrapPath drops the *fs.PathError wrapper: InputError names the file.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// describeInputs summarises the inputs for messages ("3 files", "a.jsonl").
func describeInputs(ins []Input) string {
	switch len(ins) {
	case 0:
		return "no input"
	case 1:
		if ins[0].Name == Stdin {
			return "standard input"
		}
		return ins[0].Name
	}
	return fmt.Sprintf("%d inputs", len(ins))
}
