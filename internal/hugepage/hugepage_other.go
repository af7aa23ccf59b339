//go:build !linux

package hugepage

func mode() string { return "" }

func advise(int) (bool, error) { return false, nil }
