package fakeupstream

// registry lists every kind of step, one row each, in the order scenario files
// document them and messages list them. A step's file (step_drip.go for drip)
// holds its type, its Kind and its play; its row here makes the scenario parser,
// the player and the control API's wire form know it.
var registry = []*Kind{
	&readKind,
	&writeKind,
	&bodyKind,
	&chunkKind,
	&sleepKind,
	&dripKind,
	&halfCloseKind,
	&closeKind,
	&resetKind,
	&hangKind,
	&markKind,
}
