package p

deny contains "always" if input.x
