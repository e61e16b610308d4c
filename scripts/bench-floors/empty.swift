// The Swift floor: a static Swift program that does nothing, so its start-up is the Swift runtime's own cost.
