package cli

import (
	"io"
	"os"
	"time"

	"github.com/sesctl/sesctl/internal/awsenv"
)

// IOStreams are the streams a command talks to. Data goes to Out; progress,
// warnings and errors to Err.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// ErrIsTerminal reports whether Err is a terminal (progress is shown only then).
	ErrIsTerminal bool
	// InIsTerminal reports whether In is a terminal (confirmation prompts).
	InIsTerminal bool
}

// SystemIO returns the process's standard streams.
func SystemIO() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		ErrIsTerminal: isTerminal(os.Stderr),
		InIsTerminal:  isTerminal(os.Stdin),
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	if err != nil {
		return false
	}
	return st.Mode()&os.ModeCharDevice != 0
}

// Factory hands commands their dependencies; tests replace fields.
type Factory struct {
	IO  *IOStreams
	Now func() time.Time
	// AWS holds --region, --profile, --endpoint-url and loads aws.Config.
	AWS *awsenv.Options
}

// NewFactory returns the production factory.
func NewFactory(io *IOStreams) *Factory {
	return &Factory{IO: io, Now: time.Now, AWS: &awsenv.Options{}}
}
