package api

import (
	"context"

	"wanmu/internal/store"
)

// User is the signed-in user of a request.
type User struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Counties []string `json:"counties"` // an editor limited to these counties; none: every county
}

// userOf is the request user of a stored user.
func userOf(u store.User) User {
	return User{ID: u.ID, Name: u.Name, Role: u.Role, Counties: u.Counties}
}

// actorName is the signed-in user's name, recorded in revisions and logs.
func actorName(ctx context.Context) string {
	if u := info(ctx).user; u != nil {
		return u.Name
	}
	return ""
}

func currentUser(ctx context.Context) *User { return info(ctx).user }
