package tui

// openConsoleMsg asks the app to open the API console, with the Item
// ItemID selected when it is not empty (Home's Item actions send it).
type openConsoleMsg struct{ ItemID string }
