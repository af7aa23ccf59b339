package hugepage

import "testing"

func TestAdviseNothing(t *testing.T) {
	for _, n := range []int{0, -1} {
		if ok, err := Advise(n); ok || err != nil {
			t.Errorf("Advise(%d) = %v, %v; want false, nil", n, ok, err)
		}
	}
}
