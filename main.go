// Command linkexplorer teaches, demos and verifies Plaid Link integrations.
package main

func main() {}
