package codegen

import "github.com/linkexplorer/linkexplorer/emulator/openapi"

// SynthesizeForTest exposes synthesize to the external tests.
var SynthesizeForTest = func(s any) any { return synthesize(s.(*openapi.Schema), 0) }
