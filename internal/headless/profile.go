package headless

import "bytes"

// usesProfile reports whether a /proc/PID/cmdline names the profile dir:
// --user-data-dir=dir as a whole argument, or a path inside dir.
func usesProfile(cmdline []byte, dir string) bool {
	if bytes.Contains(cmdline, []byte(dir+"/")) {
		return true
	}
	flag := []byte("--user-data-dir=" + dir)
	for rest := cmdline; ; {
		i := bytes.Index(rest, flag)
		if i < 0 {
			return false
		}
		rest = rest[i+len(flag):]
		if len(rest) == 0 || rest[0] == 0 || rest[0] == ' ' {
			return true
		}
	}
}
