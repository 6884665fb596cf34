package main

import (
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/plaid/plaid-go/plaid"
)

var client *plaid.Client

func main() {
	var err error
	client, err = plaid.NewClient(plaid.ClientOptions{
		ClientID:    os.Getenv("PLAID_CLIENT_ID"),
		Secret:      os.Getenv("PLAID_SECRET"),
		PublicKey:   os.Getenv("PLAID_PUBLIC_KEY"),
		Environment: plaid.Sandbox,
		HTTPClient:  &http.Client{},
	})
	if err != nil {
		panic(err)
	}
	r := gin.Default()
	r.LoadHTMLGlob("templates/*")
	r.GET("/", linkPage)
	r.POST("/repair", repairItem)
	r.Run(":8000")
}

func linkPage(c *gin.Context) {
	userID := c.GetString("user_id")
	resp, err := client.CreateLinkToken(plaid.LinkTokenConfigs{
		User: &plaid.LinkTokenUser{
			ClientUserID: userID,
		},
		ClientName:   "Tally",
		Products:     []string{"transactions"},
		CountryCodes: []string{"US"},
		Language:     "en",
	})
	if err != nil {
		c.String(http.StatusBadGateway, err.Error())
		return
	}
	c.HTML(http.StatusOK, "link.tmpl", gin.H{"LinkToken": resp.LinkToken})
}

func repairItem(c *gin.Context) {
	accessToken := lookupAccessToken(c.GetString("user_id"))
	resp, err := client.CreatePublicToken(accessToken)
	if err != nil {
		c.String(http.StatusBadGateway, err.Error())
		return
	}
	c.JSON(http.StatusOK, gin.H{"public_token": resp.PublicToken})
}
