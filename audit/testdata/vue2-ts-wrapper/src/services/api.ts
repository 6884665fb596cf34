import axios from 'axios';

const http = axios.create({ baseURL: process.env.VUE_APP_API_URL, withCredentials: true });

export const api = {
  async linkToken(): Promise<string> {
    const { data } = await http.post('/plaid/link-token');
    return data.link_token;
  },
  async exchange(publicToken: string): Promise<void> {
    await http.post('/plaid/exchange', { public_token: publicToken });
  },
};
