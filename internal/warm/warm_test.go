package warm_test
import (
	_ "github.com/plaid/plaid-go/v20/plaid"
	_ "github.com/charmbracelet/bubbletea"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/charmbracelet/bubbles/viewport"
	_ "github.com/charmbracelet/bubbles/table"
	_ "github.com/charmbracelet/bubbles/textinput"
	_ "github.com/charmbracelet/bubbles/spinner"
	_ "github.com/charmbracelet/bubbles/help"
	_ "github.com/charmbracelet/x/exp/teatest"
	_ "github.com/pkg/browser"
	_ "modernc.org/sqlite"
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/getkin/kin-openapi/openapi3filter"
	_ "github.com/chromedp/chromedp"
	_ "github.com/google/uuid"
)
