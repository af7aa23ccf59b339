package pipeline

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/sesctl/sesctl/pipeline/framing"
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

// ResolveInputs expands FILE|DIR|- arguments into inputs, in order, with
// framing.Files: directories are walked recursively in name order, skipping
// entries whose name starts with "." (editor and temporary files, sesctl's
// own unfinished objects). Every file is opened once up front, so a typo or
// a permission problem stops the run before anything is written.
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
		files, err := framing.Files([]string{a})
		if err != nil {
			return nil, &InputError{Name: a, Err: err}
		}
		for _, f := range files {
			if err := checkReadable(f); err != nil {
				return nil, err
			}
			out = append(out, FileInput(f))
		}
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
