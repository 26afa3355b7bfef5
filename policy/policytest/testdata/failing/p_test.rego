package p_test

import data.p

test_passes if {
	p.deny with input as {"x": true}
}

test_fails if {
	count(p.deny) == 0 with input as {"x": true}
}

test_errors if {
	to_number("nope") == 1
}

todo_test_later if {
	false
}
