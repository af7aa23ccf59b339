package framing

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Stdin is the argument that names standard input.
const Stdin = "-"

// Files expands command-line input arguments into the list of files to read,
// in order. "-" means standard input and is kept as is. A directory is
// expanded recursively in name order; files and directories whose name
// starts with "." inside it are skipped (sesctl's own temporary files are
// hidden). A path given explicitly is used even if it is hidden. A path that
// does not exist is an error naming it.
func Files(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		if arg == Stdin {
			out = append(out, arg)
			continue
		}
		st, err := os.Stat(arg)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("input %s: no such file or directory", arg)
			}
			return nil, fmt.Errorf("input %s: %w", arg, err)
		}
		if !st.IsDir() {
			out = append(out, arg)
			continue
		}
		files, err := walkDir(arg)
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

// walkDir lists the regular files under dir (following symbolic links to
// files, not to directories), skipping hidden names. A broken link is an
// error.
func walkDir(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("input %s: %w", path, err)
		}
		if path != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			st, err := os.Stat(path)
			if err != nil {
				return fmt.Errorf("input %s: %w", path, err)
			}
			if !st.Mode().IsRegular() {
				return nil // links to directories are not followed
			}
		} else if !d.Type().IsRegular() {
			return nil // sockets, pipes, devices
		}
		out = append(out, path)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
