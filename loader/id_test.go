package loader_test

import "github.com/google/uuid"

func lyceumEventID() string { return uuid.Must(uuid.NewV7()).String() }
