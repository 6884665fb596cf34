package codegen

import "github.com/linkexplorer/linkexplorer/internal/plaidspec"

// SynthesizeForTest exposes synthesize to the external tests.
var SynthesizeForTest = func(s any) any { return synthesize(s.(*plaidspec.Schema), 0) }
