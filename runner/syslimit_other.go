//go:build !linux

package runner

// systemSlotLimit applies no up-front limit where /proc is not there to
// count what is used; a start that fails for lack of processes or
// descriptors still lowers the slots at run time.
func systemSlotLimit(int) slotLimit { return slotLimit{} }
