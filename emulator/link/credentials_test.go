package link

import (
	"net/http"
	"testing"
)

// An institution error met at login sends "Try again" back to the
// institution list (pick another bank, or try later), where the session
// can pick a bank again and log in; the link_token stays live.
func TestInstitutionErrorsRetryAtTheInstitutionList(t *testing.T) {
	for _, code := range []string{"INSTITUTION_DOWN", "INSTITUTION_NOT_RESPONDING"} {
		t.Run(code, func(t *testing.T) {
			h, b := fixture(t)
			id, _ := open(t, h, tokNew)
			mustOK(t, "institution", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
			r := post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "error_"+code))
			if r.status != http.StatusBadRequest || r.str("error", "error_code") != code ||
				r.str("error", "error_type") != "INSTITUTION_ERROR" || r.get("exit") != false || r.str("retry") != "institution" {
				t.Fatalf("error_%s: %d %s", code, r.status, r.raw)
			}
			if b.dead[tokNew] {
				t.Errorf("%s invalidated the token", code)
			}
			mustOK(t, "search again", post(t, h, "/__link/institutions/search", sess(id, "query", "platypus")))
			mustOK(t, "pick again", post(t, h, "/__link/institution", sess(id, "institution_id", "ins_109508")))
			mustOK(t, "log in", post(t, h, "/__link/credentials", sess(id, "username", "user_good", "password", "pass_good")))
		})
	}
}
